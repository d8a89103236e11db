export {
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type StoredEvent,
  type Subscriber,
} from './dispatcher.ts';
export { type EventType, emitEvents, type NewEvent } from './emit.ts';
