import pg from 'pg';
import { nodePgConfig } from '../clients.js';
import type { Connection } from '../targets.js';

/**
 * The schema browser's catalog queries, run one after another on its connection as it fills its
 * tree: the schemas, the tables of the open schema with their sizes, then the columns of the
 * first table. Plain pg_catalog and information_schema, so they run on any database, a fresh one
 * included (where they find no table and return no rows, in as many round trips).
 */
const LIST_SCHEMAS = `
  select nspname from pg_catalog.pg_namespace
   where nspname not in ('information_schema', 'pg_catalog', 'pg_toast')
     and nspname not like 'pg\\_temp\\_%' and nspname not like 'pg\\_toast\\_temp\\_%'
   order by nspname`;
const LIST_TABLES = `
  select c.relname, c.relkind, c.reltuples::bigint as estimated_rows,
         pg_catalog.pg_total_relation_size(c.oid) as total_bytes,
         pg_catalog.obj_description(c.oid, 'pg_class') as comment
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')
   order by c.relname`;
const LIST_COLUMNS = `
  select column_name, data_type, is_nullable, column_default, character_maximum_length
    from information_schema.columns
   where table_schema = $1 and table_name = $2
   order by ordinal_position`;
/** The schema a browser opens first. */
const OPEN_SCHEMA = 'public';

/** What each query tab runs once its connection is open: one query per tab. */
const TAB_QUERIES = [
  'select now(), current_user, current_database()',
  `select table_schema, table_name, table_type from information_schema.tables
    where table_schema = '${OPEN_SCHEMA}' order by table_name limit 100`,
];

/**
 * A GUI opening a database with TablePlus's pattern, in node-postgres (as a GUI's driver): one
 * connection for the schema browser, which runs its catalog queries one after another (schemas,
 * tables with sizes, a table's columns); once the browser has loaded, one connection per query
 * tab (two), opened together, each running a query. That TablePlus opens a separate connection for
 * the schema browser and one per tab is the statement of the issue this row was written for, not
 * something measured here. Resolves with the ms from the start until the last tab's first result;
 * every connection is closed afterwards, outside the time. Throws what node-postgres throws when a
 * login or a query fails.
 */
export async function openLikeAGui(connection: Connection): Promise<number> {
  const clients: pg.Client[] = [];
  const open = async (): Promise<pg.Client> => {
    const client = new pg.Client(nodePgConfig(connection));
    clients.push(client);
    await client.connect();
    return client;
  };
  const startedAt = performance.now();
  try {
    const browser = await open();
    await browser.query(LIST_SCHEMAS);
    const tables = await browser.query<{ relname: string }>(LIST_TABLES, [OPEN_SCHEMA]);
    // On a database without tables the browser still asks, for a name that matches none.
    await browser.query(LIST_COLUMNS, [OPEN_SCHEMA, tables.rows[0]?.relname ?? '']);
    await Promise.all(
      TAB_QUERIES.map(async (sql) => {
        const tab = await open();
        await tab.query(sql);
      }),
    );
    return performance.now() - startedAt;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}
