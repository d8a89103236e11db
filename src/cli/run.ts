import { relative, resolve } from 'node:path';
import { type App, createApp, type Mode } from '../app.ts';
import { configOrExit, fail, loggerFor } from './context.ts';

/** `joinery start | serve | work`: runs until SIGTERM/SIGINT, then shuts down gracefully. */
export async function runServer(mode: Mode): Promise<void> {
  const config = configOrExit();
  const logger = loggerFor(config);
  if (!config.databaseUrl) {
    logger.warn(
      { dataDir: resolve(config.dataDir) },
      'using the embedded store (PGlite) in the data folder: fine for trials and small sites; set DATABASE_URL to use PostgreSQL',
    );
  }
  let app: App;
  let url: string | null;
  try {
    app = await createApp(config, { logger, mode });
  } catch (error) {
    fail(error);
  }
  try {
    ({ url } = await app.start());
  } catch (error) {
    // Close the store cleanly and free the data-folder lock before reporting (e.g. port in use).
    await app.stop().catch(() => {});
    fail(error);
  }
  const relativePath = relative(process.cwd(), app.adminTokenPath);
  const tokenFile = relativePath && !relativePath.startsWith('..') ? relativePath : app.adminTokenPath;
  if (url) {
    logger.info(
      { url, adminTokenFile: app.adminTokenPath },
      `Joinery is listening on ${url} (the first start's admin token is in ${tokenFile})`,
    );
  } else {
    logger.info('Joinery worker started');
  }
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    app
      .stop()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
