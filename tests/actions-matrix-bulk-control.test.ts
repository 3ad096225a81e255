// The server-action matrix for lib/actions/bulk/control-bulk-run.ts: stop, continue, undo, discard (tests/actions-matrix.test.ts says what each case proves).
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("bulk-control");
