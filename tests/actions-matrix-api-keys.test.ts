// The server-action matrix for lib/actions/api-keys: creating and revoking a
// tenant's API keys (tests/actions-matrix.test.ts says what each case proves).
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("api-keys");
