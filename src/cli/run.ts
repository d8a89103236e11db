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
    ({ url } = await app.start());
  } catch (error) {
    fail(error);
  }
  const tokenFile = relative(process.cwd(), app.adminTokenPath) || app.adminTokenPath;
  if (url) {
    logger.info(
      { url, adminTokenFile: app.adminTokenPath },
      `Joinery is listening on ${url} (first admin token: ${tokenFile})`,
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
