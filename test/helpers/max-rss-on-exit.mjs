// Loaded with `node --import`: reports the process's peak resident memory on exit, for tests that bound it.
process.on('exit', () => {
  process.stderr.write(`\nferry-test-max-rss-bytes=${process.resourceUsage().maxRSS * 1024}\n`);
});
