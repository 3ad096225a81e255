// Migrate, then load the demo data once (seedDemo skips a seeded database).
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { seedDemo } from "@/lib/demo/seed";

export async function prepareDemoDatabase(url: string, log: (line: string) => void = console.log) {
  await migrate(url, { log });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await seedDemo(client, { log });
  } finally {
    await client.end();
  }
}
