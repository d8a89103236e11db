import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import type { Activation } from './activation/index.ts';
import { ensureBootstrapToken, type TokenDeps } from './auth/index.ts';
import { activationWithMailer, confirmationMailer } from './compose/activation.ts';
import { inboundWithJobs } from './compose/inbound.ts';
import { notificationsWithJobs } from './compose/notifications.ts';
import { outboundWithJobs } from './compose/outbound.ts';
import { loadSecretsKey, openConfiguredDatabase } from './compose/store.ts';
import { workflowsWithJobs } from './compose/workflows.ts';
import type { Config } from './config/index.ts';
import {
  type Clock,
  createSecretBox,
  type Logger,
  systemClock,
  systemContext,
  VERSION,
} from './core/index.ts';
import { type Database, migrateToLatest, pendingMigrations } from './db/index.ts';
import { createDirectory, type Directory } from './directory/index.ts';
import { createDispatcher, type Dispatcher, type Subscriber } from './events/index.ts';
import { createHttpApp } from './http/app.ts';
import type { ReadinessCheck } from './http/ops-routes.ts';
import { type ScimDeps, schemaCache } from './http/scim/context.ts';
import { type Inbound, LEAVERS_QUEUE, PRUNE_QUEUE, PULL_TICK_QUEUE } from './inbound/index.ts';
import { createJobs, type Jobs } from './jobs/index.ts';
import type { Notifications } from './notifications/index.ts';
import { createMetrics, type Metrics } from './ops/index.ts';
import { type Outbound, TICK_QUEUE } from './outbound/index.ts';
import { PASS_QUEUE as WORKFLOWS_PASS_QUEUE, type Workflows } from './workflows/index.ts';

export { loadSecretsKey, openConfiguredDatabase } from './compose/store.ts';
export { VERSION } from './core/index.ts';

/** What this process runs: the HTTP server, the workers (jobs, event dispatch), or both. */
export type Mode = 'all' | 'serve' | 'work';

export interface App {
  config: Config;
  database: Database;
  directory: Directory;
  inbound: Inbound;
  outbound: Outbound;
  activation: Activation;
  notifications: Notifications;
  workflows: Workflows;
  jobs: Jobs;
  dispatcher: Dispatcher;
  metrics: Metrics;
  http: ReturnType<typeof createHttpApp>;
  tokens: TokenDeps;
  /** Path of the bootstrap admin token file. */
  adminTokenPath: string;
  /** Starts the workers and/or the HTTP server; resolves to the URL when serving. */
  start(): Promise<{ url: string | null }>;
  /** Graceful: stop accepting, let in-flight requests and jobs finish, close the store, free the lock. */
  stop(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  mode: Mode;
  clock?: Clock;
  /** Tests pass an already-open database; otherwise the config decides (PGlite in dataDir, or DATABASE_URL). */
  database?: Database;
}

/**
 * The composition root: config → store → modules → HTTP app and job handlers. Event subscribers and
 * job handlers are registered here, so lower modules never import higher ones.
 */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { logger, mode } = options;
  const clock = options.clock ?? systemClock;
  const opened = options.database
    ? { database: options.database, lock: null }
    : await openConfiguredDatabase(config);
  const { database, lock } = opened;
  try {
    await migrateToLatest(database.db as never);
  } catch (error) {
    await database.close();
    lock?.release();
    throw error;
  }
  const db = database.db;
  const metrics = createMetrics();
  const directory = createDirectory({ db, clock, retentionDays: config.deletedRetentionDays });
  const tokens: TokenDeps = { db, clock };
  const adminTokenPath = resolve(config.dataDir, 'admin-token');

  const jobs = createJobs({
    database,
    logger: logger.child({ component: 'jobs' }),
    onJobFinished: (queue, outcome, ms) => {
      metrics.jobsFinished.inc({ queue, outcome });
      metrics.jobDuration.observe({ queue }, ms / 1000);
    },
  });
  jobs.register<Record<string, never>>(
    'directory.purge',
    async () => {
      const purged = await directory.purgeDeleted(systemContext(`purge-${randomUUID()}`));
      logger.info({ ...purged }, 'purged soft-deleted objects past retention');
    },
    { batchSize: 1, pollingIntervalSeconds: 2, retryLimit: 3 },
  );

  const secrets = createSecretBox(loadSecretsKey(config, logger));
  const inbound = inboundWithJobs({ db, clock, directory, jobs, logger, secrets, config });
  const outbound = outboundWithJobs({ db, clock, directory, jobs, logger, secrets, config });
  const notifications = notificationsWithJobs({ db, clock, directory, jobs, logger, secrets, config });
  // Links in e-mails: JOINERY_PUBLIC_URL, else this server's own address once it listens.
  let ownUrl = `http://${config.host}:${config.port}`;
  const activation = activationWithMailer(
    { db, clock, directory, jobs, logger, secrets, config },
    confirmationMailer(notifications),
    () => config.publicUrl ?? ownUrl,
  );
  const workflows = workflowsWithJobs(
    { db, clock, directory, jobs, logger, secrets, config },
    notifications,
    activation,
    () => config.publicUrl ?? ownUrl,
  );

  const subscribers: Subscriber[] = [
    { name: 'outbound', handle: (events) => outbound.handleEvents(events) },
    { name: 'workflows', handle: (events) => workflows.handleEvents(events) },
    {
      name: 'metrics',
      handle: async (events) => {
        for (const e of events) metrics.eventsDelivered.inc({ type: e.type });
      },
    },
  ];
  const dispatcher = createDispatcher({
    db,
    clock,
    logger: logger.child({ component: 'events' }),
    subscribers,
    pollMs: config.eventPollMs,
  });

  // Migrations are forward-only: once none is pending for this code, none can become pending again, so
  // later probes skip the migrator's catalogue queries and only ping the database.
  let migrationsApplied = false;
  const readiness = async (): Promise<ReadinessCheck> => {
    const checks: ReadinessCheck['checks'] = {};
    try {
      await sql`select 1`.execute(db);
      checks.database = { ok: true };
      const pending = migrationsApplied ? [] : await pendingMigrations(db as never);
      migrationsApplied = pending.length === 0;
      checks.migrations =
        pending.length === 0 ? { ok: true } : { ok: false, detail: `pending: ${pending.join(', ')}` };
    } catch (error) {
      checks.database = { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
    return { ready: Object.values(checks).every((c) => c.ok) && Object.keys(checks).length === 2, checks };
  };

  metrics.gauge(
    'joinery_events_backlog',
    'Committed events not yet delivered, per subscriber',
    ['subscriber'],
    async (g) => {
      g.reset();
      for (const [subscriber, n] of Object.entries(await dispatcher.backlog())) g.set({ subscriber }, n);
    },
  );
  metrics.gauge(
    'joinery_jobs_queued',
    'Jobs waiting or running, per queue and state',
    ['queue', 'state'],
    async (g) => {
      g.reset();
      for (const [queue, s] of Object.entries(await jobs.stats())) {
        g.set({ queue, state: 'queued' }, s.queued);
        g.set({ queue, state: 'active' }, s.active);
        g.set({ queue, state: 'failed' }, s.failed);
      }
    },
  );
  metrics.gauge('joinery_db_pool_connections', 'Database connections by state', ['state'], async (g) => {
    const stats = database.poolStats?.();
    if (!stats) return;
    g.set({ state: 'total' }, stats.total);
    g.set({ state: 'idle' }, stats.idle);
    g.set({ state: 'waiting' }, stats.waiting);
  });

  const schemas = schemaCache(
    () => directory.extensionSchemas(),
    () => clock.now().getTime(),
  );
  const scim: ScimDeps = {
    directory,
    limits: {
      maxResults: config.scimMaxResults,
      bulkMaxOperations: config.scimBulkMaxOperations,
      bulkMaxPayloadBytes: config.scimBulkMaxPayloadBytes,
    },
    customSchemas: schemas.get,
    invalidateSchemas: schemas.invalidate,
  };
  const http = createHttpApp({
    logger,
    metrics,
    db,
    directory,
    inbound,
    outbound,
    inboundMaxPayloadBytes: config.inboundMaxPayloadBytes,
    tokens,
    readiness,
    version: VERSION,
    scim,
    activation,
    workflows,
    notifications,
    trustedProxies: config.trustedProxies,
  });
  let server: ReturnType<typeof serve> | undefined;
  let stopping: Promise<void> | undefined;

  return {
    config,
    database,
    directory,
    inbound,
    outbound,
    activation,
    notifications,
    workflows,
    jobs,
    dispatcher,
    metrics,
    http,
    tokens,
    adminTokenPath,
    async start() {
      const boot = await ensureBootstrapToken(tokens, systemContext('bootstrap'), resolve(config.dataDir));
      await inbound.ensureDefaultSource(systemContext('bootstrap'));
      if (boot.created) logger.info({ path: boot.path }, 'created the bootstrap admin token file');
      const work = mode !== 'serve';
      await jobs.start({ work });
      if (work) {
        await jobs.schedule('directory.purge', config.purgeSchedule);
        await jobs.schedule(PULL_TICK_QUEUE, '* * * * *');
        await jobs.schedule(LEAVERS_QUEUE, '* * * * *');
        await jobs.schedule(PRUNE_QUEUE, '41 3 * * *');
        await jobs.schedule(TICK_QUEUE, '* * * * *');
        await jobs.schedule(WORKFLOWS_PASS_QUEUE, config.workflowsSchedule);
        const exporting = await outbound.resumePending();
        if (exporting > 0) logger.info({ apps: exporting }, 'resuming outbound exports left pending');
        const resumed = await inbound.resumePending();
        if (resumed > 0) logger.info({ sources: resumed }, 'resuming inbound records left pending');
        dispatcher.start();
      }
      if (mode === 'work') return { url: null };
      const url = await new Promise<string>((resolveUrl, reject) => {
        server = serve(
          { fetch: http.fetch, hostname: config.host, port: config.port },
          (info: AddressInfo) => {
            const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
            resolveUrl(`http://${host}:${info.port}`);
          },
        );
        server.once('error', reject);
      });
      ownUrl = url;
      return { url };
    },
    stop() {
      stopping ??= (async () => {
        if (server) {
          const s = server;
          await new Promise<void>((done) => {
            s.close(() => done());
            // Keep-alive sockets with no request in flight would hold close() open.
            if ('closeIdleConnections' in s) s.closeIdleConnections();
          });
        }
        await dispatcher.stop();
        await jobs.stop({ graceful: true, timeoutMs: config.shutdownTimeoutSeconds * 1000 });
        await outbound.close();
        await notifications.close();
        if (!options.database) await database.close();
        lock?.release();
      })();
      return stopping;
    },
  };
}
