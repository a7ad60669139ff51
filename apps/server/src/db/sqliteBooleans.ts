/**
 * Kysely plugin for SQLite: binds JavaScript booleans as 1/0, since better-sqlite3 refuses to
 * bind booleans, and turns the 0/1 of boolean columns (schema.ts BOOLEAN_COLUMNS) back into
 * booleans in every row read: the one place that knows SQLite has no boolean type.
 */
import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely'
import { BOOLEAN_COLUMNS } from './schema.ts'

class BooleanToInteger extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const out = super.transformValue(node)
    return typeof out.value === 'boolean' ? { ...out, value: out.value ? 1 : 0 } : out
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    const out = super.transformPrimitiveValueList(node)
    return { ...out, values: out.values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)) }
  }
}

export class SqliteBooleansPlugin implements KyselyPlugin {
  readonly #transformer = new BooleanToInteger()

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node)
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // Runs after CamelCasePlugin's result transform (plugins apply in order), so names are camelCase.
    for (const row of args.result.rows)
      for (const key of Object.keys(row))
        if (BOOLEAN_COLUMNS.has(key) && (row[key] === 0 || row[key] === 1)) row[key] = row[key] === 1
    return args.result
  }
}
