// The server-action fuzz (tests/helpers/fuzz-actions.ts), shard 2 of 3: every third action by id.
import { fuzzActionShard } from "./helpers/fuzz-actions";

fuzzActionShard(1, 3);
