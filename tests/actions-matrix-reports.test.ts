// The server-action matrix for lib/actions/reports (tests/actions-matrix.test.ts says what each case proves).
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("reports");
