// The server-action fuzz (tests/helpers/fuzz-actions.ts), shard 3 of 3: every third action by id.
import { fuzzActionShard } from "./helpers/fuzz-actions";

fuzzActionShard(2, 3);
