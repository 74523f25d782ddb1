/** `npm run bench -- <name> [--write] [--postgres <url>]`: runs one capability's benchmark. */
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  tracking: () => import('./tracking.js'),
  drift: () => import('./drift.js'),
  serving: () => import('./serving.js'),
  data: () => import('./data.js'),
  'data-profile': () => import('./data-profile-bench.js'),
  deployments: () => import('./deployments.js'),
  ui: () => import('./ui.js'),
  'ui-large-table': () => import('./ui-large-table.js'),
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !BENCHES[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [--write] [--postgres <url>]`);
  process.exit(2);
}
await (await BENCHES[name]!()).run(rest);
