/**
 * `npm run bench -- data [--write] [--bytes N] [--profile-rows N] [--skip-add|--skip-profile|--skip-drift]`:
 * the data capability's three measures, each beside its baseline from the same run —
 * `ferry data add` against single-threaded `openssl dgst -sha256` over the same
 * files, a 10-million-row profile against DuckDB's SUMMARIZE, and drift against
 * SciPy's `ks_2samp` (bench/drift.ts).
 */
import { dataAddBench } from './data-add-bench.js';
import { machine, table, writeSection } from './lib/report.js';

export async function run(args: string[]): Promise<void> {
  const flag = (name: string) => (args.includes(name) ? Number(String(args[args.indexOf(name) + 1]).replace(/_/g, '')) : undefined);
  const write = args.includes('--write');
  if (!args.includes('--skip-add')) {
    const r = await dataAddBench({ bytes: flag('--bytes'), repeats: flag('--repeats') });
    console.log(JSON.stringify(r, null, 2));
    if (write) {
      const size = `${(r.bytes / 1e9).toFixed(1)} GB, ${r.files} files of mixed sizes`;
      const openssl = `${r.opensslMBps.toFixed(0)} MB/s`;
      const row = (measure: string, mbps: number, ratio: number, target: string, met: boolean) => ({
        measure,
        baseline: '`openssl dgst -sha256`, single-threaded, same files, run just before',
        baselineValue: openssl,
        ferry: `${mbps.toFixed(0)} MB/s`,
        ratio: ratio.toFixed(2),
        target,
        met: met ? 'yes' : 'no',
      });
      const body = `Run ${new Date().toISOString().slice(0, 10)} on ${machine()}; ${size}; median of the runs, each paired with an openssl run.\n\n${table([
        row('`ferry data add`, cold cache (hash + copy into the cache)', r.coldMBps, r.coldRatio, '≥ 0.8 × openssl', r.coldRatio >= 0.8),
        row('`ferry data add`, warm (unchanged files)', r.warmMBps, r.warmRatio, '≥ 0.8 × openssl', r.warmRatio >= 0.8),
        row('`ferry data add --link hardlink`, cold cache (hash only, no copy)', r.coldHardlinkMBps, r.coldHardlinkMBps / r.opensslMBps, 'for information', true),
        row('`ferry data status` without the state index (hash only)', r.statusMBps, r.statusMBps / r.opensslMBps, 'for information', true),
      ]).replace(/\| for information \| yes \|/g, '| for information | — |')}`;
      writeSection('data-add', 'Data versioning (`ferry data add`)', body);
    }
  }
  const writeArg = write ? ['--write'] : [];
  const profileRows = flag('--profile-rows');
  if (!args.includes('--skip-profile')) {
    await (await import('./data-profile-bench.js')).run([...writeArg, ...(profileRows ? ['--rows', String(profileRows)] : [])]);
  }
  if (!args.includes('--skip-drift')) await (await import('./drift.js')).run(writeArg);
}
