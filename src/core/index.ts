export { type Clock, DAY_MS, type FakeClock, fakeClock, systemClock } from './clock.ts';
export { type Actor, correlationFor, type RequestContext, systemActor, systemContext } from './context.ts';
export {
  AppError,
  type ErrorCode,
  err,
  errorCodes,
  type Failure,
  failure,
  ok,
  type Result,
  unwrap,
} from './errors.ts';
export { isUuid, newId } from './ids.ts';
export {
  addDays,
  calendarDay,
  dateIn,
  isDateOnly,
  isKnownZone,
  leaveEffectiveAt,
  zonedInstant,
  zoneOf,
} from './local-day.ts';
export { createLogger, type Logger, silentLogger } from './logger.ts';
export { createSecretBox, parseSecretsKey, type SecretBox } from './secret-box.ts';
export {
  keepRedactedSecrets,
  mapSecretPaths,
  openSecretPaths,
  REDACTED_SECRET,
  redactSecretPaths,
  sealSecretPaths,
} from './secret-paths.ts';
export { VERSION } from './version.ts';
