import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { blockHash, txid } from '../../../src/wire/bitcoin/chain.js';
import { bytesToHex, hashToHex, hexToBytes } from '../../../src/wire/hex.js';
import { decodeMessage, encodeMessage, type Message } from '../../../src/wire/message.js';
import { bitcoinNetworks } from '../../../src/wire/networks.js';
import { pythonBitcoinlib, skipUnless } from '../support/partners.js';

const python = pythonBitcoinlib();
const script = fileURLToPath(new URL('./bitcoinlib.py', import.meta.url));
// python-bitcoinlib speaks protocol 60002 (no relay byte, pings with nonces, no pong gate issue).
const options = { network: bitcoinNetworks.regtest, protocolVersion: 60002 };

interface Produced {
  command: string;
  frame: string;
  fields: Record<string, string | number>;
}

function run(mode: string, input?: string): unknown {
  const result = spawnSync(python!, [script, mode], { input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python-bitcoinlib ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function count(message: Message): number | undefined {
  if ('inventory' in message) return message.inventory.length;
  if ('addresses' in message) return message.addresses.length;
  if ('locator' in message) return message.locator.length;
  if ('headers' in message) return message.headers.length;
  if (message.command === 'block') return message.transactions.length;
  return undefined;
}

describe('byte-for-byte agreement with python-bitcoinlib 0.11', {
  skip: skipUnless(python !== undefined, 'python-bitcoinlib'),
}, () => {
  it('their frames decode to their values and re-encode to their bytes; ours parse back in theirs', () => {
    const produced = run('produce') as Produced[];
    assert.ok(produced.length >= 13);
    const ourFrames: string[] = [];
    for (const { command, frame, fields } of produced) {
      const message = decodeMessage(hexToBytes(frame), options);
      assert.equal(message.command, command);
      if (fields.count !== undefined) assert.equal(count(message), fields.count, `${command} entries`);
      if (message.command === 'version') {
        assert.equal(message.protocolVersion, fields.protocolVersion);
        assert.equal(message.nonce?.toString(), fields.nonce);
        assert.equal(message.lastBlock, fields.lastBlock);
        assert.equal(message.userAgent, fields.userAgent);
        assert.equal(message.relay, true, 'python-bitcoinlib writes the relay byte even at 60002');
      }
      if (message.command === 'ping' || message.command === 'pong')
        assert.equal(message.nonce.toString(), fields.nonce);
      if (message.command === 'tx') assert.equal(hashToHex(txid(message.transaction)), fields.txid);
      if (message.command === 'block') assert.equal(hashToHex(blockHash(message.header)), fields.blockHash);
      // btcd (and we) write the version relay byte only from 70001; python-bitcoinlib always does.
      const encodeAt = message.command === 'version' ? { ...options, protocolVersion: 70001 } : options;
      const ours = bytesToHex(encodeMessage(message, encodeAt));
      assert.equal(ours, frame, `${command}: our frame equals theirs`);
      ourFrames.push(ours);
    }
    assert.deepEqual(
      run('reserialize', JSON.stringify(ourFrames)),
      ourFrames,
      'they parse and re-serialise ours unchanged',
    );
  });
});
