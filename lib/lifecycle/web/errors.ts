// A refusal a console archive route returns as it is: an HTTP status and a
// message for the person (it names tenants and files, never a key or a path
// on the server).
export class ConsoleRefusal extends Error {
  override readonly name = "ConsoleRefusal";
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 411 | 413 | 415 | 422,
    message: string,
  ) {
    super(message);
  }
}

export const isConsoleRefusal = (e: unknown): e is ConsoleRefusal => e instanceof ConsoleRefusal;

/** The console's archive tools are for MSSP staff (lib/tenancy/page-context.ts isOperator). */
export const NOT_OPERATOR = "The archive tools are for your MSSP's staff; nothing was changed.";
