// exportTenant writes to a Node Writable; a route handler answers with a web
// ReadableStream. This bridges the two with backpressure both ways, so an
// export of any size streams through in constant memory: the web stream
// pulls one chunk at a time from a small PassThrough, and exportTenant's
// pipeline waits while the PassThrough is full (the archive's own chunks are
// at most 64 KiB).
//
// It resolves once the first bytes (the archive's magic line and header) are
// out, so a failure before that (the database down, no such tenant) is an
// ordinary error the route can answer with a status; after that, a failure or
// a cancelled download errors the stream (the browser sees a failed
// download, never a short file it could mistake for an archive: a cut
// archive is refused anyway as truncated), and the export's snapshot
// transaction is rolled back. The stream closes only after exportTenant has
// returned, i.e. after its `tenant.exported` audit row was written.
import { PassThrough } from "node:stream";
import { exportTenant, type ExportOptions, type ExportResult } from "@/lib/lifecycle/archive";

export interface ExportStream {
  stream: ReadableStream<Uint8Array>;
  /** Settles when the export has finished (its audit row written) or failed or was cancelled. */
  done: Promise<ExportResult>;
}

export class ExportCancelled extends Error {
  override readonly name = "ExportCancelled";
  constructor() {
    super("the download was cancelled before the archive was complete");
  }
}

const CHUNK = 64 * 1024;

export async function exportAsWebStream(opts: Omit<ExportOptions, "out">, signal?: AbortSignal): Promise<ExportStream> {
  const pass = new PassThrough({ highWaterMark: CHUNK });
  const done = exportTenant({ ...opts, out: pass });
  // A failure before the pipeline started leaves `pass` open: end the reader's wait.
  done.catch((error) => pass.destroy(error instanceof Error ? error : new Error(String(error))));
  const cancel = () => pass.destroy(new ExportCancelled());
  if (signal?.aborted) cancel();
  signal?.addEventListener("abort", cancel, { once: true });

  const chunks = pass[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const next = async (): Promise<IteratorResult<Buffer>> => {
    try {
      return await chunks.next();
    } catch (error) {
      // The reason the export failed, rather than the stream's echo of it.
      await done.catch((e) => {
        throw e;
      });
      throw error;
    }
  };
  let first: IteratorResult<Buffer> | null;
  try {
    first = await next();
  } catch (error) {
    signal?.removeEventListener("abort", cancel);
    throw error;
  }

  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = first ?? (await next());
          first = null;
          if (r.done) {
            await done; // the audit row is written before the download completes
            signal?.removeEventListener("abort", cancel);
            controller.close();
          } else {
            controller.enqueue(r.value);
          }
        } catch (error) {
          signal?.removeEventListener("abort", cancel);
          // The reason stays on `done` (the caller logs and audits it); the
          // HTTP layer only learns that the download failed.
          controller.error(error instanceof ExportCancelled ? error : new Error("the export failed part-way"));
        }
      },
      cancel() {
        signal?.removeEventListener("abort", cancel);
        cancel();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, done };
}
