/** The main job, as a newcomer runs it: `peerchart demo`, on each family's networks. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('peerchart demo', () => {
  for (const network of ['regtest', 'decred-simnet']) {
    it(`handshakes every peer and exits 0 on ${network}`, { timeout: 60_000 }, async () => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', cli, 'demo', '--peers', '4', '--duration', '1', '--network', network, '--json'],
        { timeout: 50_000 },
      );
      const events = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { event?: string; state?: string; negotiatedVersion?: number });
      const finals = events.filter((event) => event.event === 'stats');
      assert.equal(finals.length, 4, `one final stats line per dialling peer\n${stdout.slice(0, 2000)}`);
      const expected = network === 'regtest' ? 70016 : 12;
      for (const peer of finals) {
        assert.equal(peer.state, 'active', 'every peer handshook');
        assert.equal(peer.negotiatedVersion, expected, "the network family's protocol version");
      }
    });
  }

  it('refuses an unknown network with exit code 2', { timeout: 30_000 }, async () => {
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', cli, 'demo', '--network', 'nonet'], { timeout: 20_000 }),
      (error: { code?: number }) => error.code === 2,
    );
  });
});
