// The server-action matrix for lib/actions/settings and lib/actions/team (tests/actions-matrix.test.ts says what each case proves).
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("settings-team");
