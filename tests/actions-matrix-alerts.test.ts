// The server-action matrix for lib/actions/alerts (tests/actions-matrix.test.ts says what each case proves).
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("alerts");
