// The server-action matrix for lib/actions/bulk: planning and starting a run (tests/actions-matrix.test.ts says what each case proves).
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("bulk");
