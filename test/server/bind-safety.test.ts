import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, freePort, spawnCli, stopProcess, waitForHealth } from '../helpers/server-process.js';

/** True when something accepts a TCP connection on 127.0.0.1:port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('ferry server bind safety', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'ferry-bind-'));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  async function expectRefusal(args: string[], env = cleanEnv()) {
    const port = await freePort();
    const proc = spawnCli(['server', '--home', home, '--port', String(port), '--log-level', 'silent', ...args], env);
    // Watch the port for the whole life of the process: it must never accept a connection.
    let listened = false;
    const watch = setInterval(() => void isListening(port).then((yes) => (listened ||= yes)), 20);
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
    const { code, signal } = await proc.exited;
    clearTimeout(timer);
    clearInterval(watch);
    listened ||= await isListening(port);
    assert.equal(signal, null, `the server had to be killed: it did not refuse to start\n${proc.stdout()}`);
    assert.notEqual(code, 0, 'exit status must be non-zero');
    assert.match(proc.stderr(), /FERRY_AUTH/);
    assert.match(proc.stderr(), /--insecure/);
    assert.doesNotMatch(proc.stderr(), /\n\s+at /, 'a refusal is one line, not a stack trace');
    assert.doesNotMatch(proc.stdout(), /Ferry is running/);
    assert.equal(listened, false, 'the port was opened');
  }

  it('refuses --host 0.0.0.0 without auth, names FERRY_AUTH and --insecure, and never listens', async () => {
    await expectRefusal(['--host', '0.0.0.0']);
  });

  it('refuses FERRY_HOST=0.0.0.0 from the environment as well', async () => {
    await expectRefusal([], cleanEnv({ FERRY_HOST: '0.0.0.0' }));
  });

  it('refuses an IPv6 wildcard (::) without auth', async () => {
    await expectRefusal(['--host', '::']);
  });

  it('refuses --auth off explicitly on a public address', async () => {
    await expectRefusal(['--host', '0.0.0.0', '--auth', 'off']);
  });

  async function expectStarts(args: string[], env = cleanEnv()) {
    const port = await freePort();
    const proc = spawnCli(['server', '--home', home, '--port', String(port), '--log-level', 'silent', ...args], env);
    try {
      await waitForHealth(`http://127.0.0.1:${port}`, proc);
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(await res.text(), 'OK');
    } finally {
      const { code } = await stopProcess(proc, 'SIGTERM');
      assert.equal(code, 0, `SIGTERM should shut down cleanly\n${proc.stderr()}`);
    }
    assert.equal(await isListening(port), false);
  }

  it('starts on 0.0.0.0 with --insecure', async () => {
    await expectStarts(['--host', '0.0.0.0', '--insecure']);
  });

  it('starts on 0.0.0.0 with FERRY_INSECURE=on', async () => {
    await expectStarts([], cleanEnv({ FERRY_HOST: '0.0.0.0', FERRY_INSECURE: 'on' }));
  });

  it('starts on 0.0.0.0 with --auth on', async () => {
    await expectStarts(['--host', '0.0.0.0', '--auth', 'on']);
  });

  it('starts on loopback without auth or --insecure', async () => {
    await expectStarts(['--host', '127.0.0.1']);
  });

  it('refuses a non-numeric --port with a one-line error instead of a stack trace', async () => {
    const proc = spawnCli(['server', '--home', home, '--port', 'abc', '--log-level', 'silent']);
    const { code } = await proc.exited;
    assert.notEqual(code, 0);
    assert.match(proc.stderr(), /^error: port must be/m);
    assert.doesNotMatch(proc.stderr(), /\n\s+at /);
  });
});
