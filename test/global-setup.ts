import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/index.ts';
import { prepareTemplate } from './template.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    engine: 'pglite' | 'postgres';
    pgliteTemplate: string;
    postgresTemplate: string;
    postgresAdminUrl: string;
    runId: string;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Migrates one template per engine, once per run. Each test file then starts from a copy: a PGlite
 * data-dir dump loaded in memory, or `CREATE DATABASE ... TEMPLATE` on PostgreSQL.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pgliteDb = await openDatabase({ engine: 'pglite' });
  await prepareTemplate(pgliteDb);
  const dump = await pgliteDb.dumpDataDir?.();
  await pgliteDb.close();
  const pgliteTemplate = join(tmpdir(), `joinery-pglite-template-${process.pid}.tar`);
  if (dump) writeFileSync(pgliteTemplate, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', pgliteTemplate);
  project.provide('runId', String(process.pid));

  const adminUrl = process.env.TEST_DATABASE_URL;
  project.provide('engine', adminUrl ? 'postgres' : 'pglite');
  project.provide('postgresAdminUrl', adminUrl ?? '');
  const templateName = `joinery_tpl_${process.pid}`;
  project.provide('postgresTemplate', adminUrl ? templateName : '');
  const removeTemplate = () => rmSync(pgliteTemplate, { force: true });
  if (!adminUrl) return async () => removeTemplate();

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateName}`);
  await admin.query(`create database ${templateName}`);
  const tpl = await openDatabase({
    engine: 'postgres',
    url: withDatabase(adminUrl, templateName),
    poolSize: 2,
  });
  await prepareTemplate(tpl);
  await tpl.close();
  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'joinery_t_${process.pid}_%' or datname = $1`,
      [templateName],
    );
    for (const row of rows) await admin.query(`drop database if exists ${row.datname} with (force)`);
    await admin.end();
    removeTemplate();
  };
}
