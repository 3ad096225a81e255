// The server-action matrix for lib/actions/branding: saving, publishing and
// discarding a tenant's brand draft, uploading its logos, and the MSSP's
// "hide the MSSP's brand" (tests/actions-matrix.test.ts says what each case proves).
import { runActionMatrix } from "./helpers/actions-matrix";

runActionMatrix("branding");
