import type { ColumnType } from 'kysely';

/** Column types shared by the table definitions. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type Json<T> = ColumnType<T, string, string>;
