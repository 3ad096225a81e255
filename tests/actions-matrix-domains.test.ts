// The server-action matrix for lib/actions/domains: adding, verifying and
// removing a tenant's custom domains (tests/actions-matrix.test.ts says what each case proves).
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("domains");
