// @ts-check
/**
 * The layer rules of DESIGN.md as one ESLint rule over one table, in VS Code's way
 * (`code-import-patterns`): every folder of ours is a row saying which of our folders it may import,
 * and a folder with no row may import none, so a new folder is refused until it has one.
 *
 * A relative import is resolved against the importing file, and the folder it lands in is looked up:
 * the rows name folders (`main/engine`, `shared`), and a file belongs to the longest row that is a
 * prefix of its path. Package imports (`ws`, `node:net`) are the `forbiddenModules` of the row.
 */
import { dirname, normalize, relative, resolve, sep } from 'node:path';

/**
 * @typedef {object} Layer
 * @property {string[]} imports the folders (rows) this one may import, besides itself
 * @property {RegExp} [forbiddenModules] package imports it may not make
 * @property {string} why one sentence, shown with every refusal
 */

/**
 * @param {string} path a path relative to the repository, with `/`
 * @param {Record<string, Layer>} table
 * @returns {string | undefined} the row the path belongs to
 */
function rowOf(path, table) {
  let best;
  for (const row of Object.keys(table)) {
    if ((path === row || path.startsWith(`${row}/`)) && (!best || row.length > best.length)) {
      best = row;
    }
  }
  return best;
}

/** @param {string} path */
const slashes = (path) => path.split(sep).join('/');

/**
 * The rule: options `[{ table, indexFolders, exempt }]`. A folder under main/ with no row may import
 * none of ours.
 * - `table`: row → Layer.
 * - `indexFolders`: folders whose `index.ts` is their public API: imported from outside only through it.
 * - `exempt`: a RegExp of file paths that may import any row (the tests and their helpers).
 * @type {import('eslint').Rule.RuleModule}
 */
const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Each folder imports only the folders its row in the layer table names.' },
    schema: [{ type: 'object', additionalProperties: true }],
  },
  create(context) {
    const { table, indexFolders = [], exempt } = context.options[0] ?? {};
    const root = context.cwd;
    const file = slashes(relative(root, context.filename));
    const from = rowOf(file, table);
    const isExempt = exempt instanceof RegExp && exempt.test(file);

    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string') {
        return;
      }
      if (from === undefined) {
        if (file.startsWith('main/') && source.startsWith('.') && !isExempt) {
          const folder = file.split('/').slice(0, 2).join('/');
          const to = rowOf(
            slashes(relative(root, resolve(dirname(context.filename), source))),
            table,
          );
          if (to !== undefined) {
            context.report({
              node,
              message: `${folder}/ has no row in the layer table (eslint.config.js): give it one before it imports ${to}/.`,
            });
          }
        }
        return;
      }
      const layer = table[from];
      if (!source.startsWith('.')) {
        if (!isExempt && layer.forbiddenModules?.test(source)) {
          context.report({ node, message: `${from}/ may not import '${source}': ${layer.why}` });
        }
        return;
      }
      const target = slashes(relative(root, normalize(resolve(dirname(context.filename), source))));
      const to = rowOf(target, table);
      if (to === undefined || to === from) {
        return;
      }
      if (!isExempt && !layer.imports.includes(to)) {
        context.report({
          node,
          message: `${from}/ may not import ${to}/ (its row in the layer table, eslint.config.js): ${layer.why}`,
        });
        return;
      }
      const index = indexFolders.find(
        (/** @type {string} */ folder) =>
          target.startsWith(`${folder}/`) && !file.startsWith(`${folder}/`),
      );
      if (!isExempt && index && target !== `${index}/index.js`) {
        context.report({
          node,
          message: `${index}/ is imported through its index.ts, its public API: import '${slashes(relative(dirname(file), index))}/index.js'.`,
        });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export const layersPlugin = { rules: { 'allowed-imports': allowedImports } };
