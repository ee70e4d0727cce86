"""Frames from python-bitcoinlib for peerchart's agreement test.

  produce: prints a JSON list of {command, frame, fields} built by python-bitcoinlib
  (headers is left out: python-bitcoinlib writes each header without the transaction count byte
  the protocol requires, so no conforming decoder can read its headers message)
  reserialize: reads a JSON list of hex frames on stdin, parses each with python-bitcoinlib and
               prints the JSON list of the frames it serialises back
"""
import io
import json
import sys

import bitcoin
from bitcoin.core import CBlock, CBlockHeader, COutPoint, CTransaction, CTxIn, CTxOut, lx
from bitcoin.core.script import CScript
from bitcoin.messages import (MsgSerializable, msg_addr, msg_getaddr, msg_getblocks, msg_getdata,
                              msg_getheaders, msg_inv, msg_mempool, msg_ping, msg_pong,
                              msg_tx, msg_verack, msg_version, msg_block)
from bitcoin.net import CAddress, CInv

bitcoin.SelectParams('regtest')
PROTOCOL = 60002


def with_attr(message, name, value):
    setattr(message, name, value)
    return message


def frame(message):
    return message.to_bytes().hex()


def produce():
    out = []
    version = msg_version(PROTOCOL)
    version.nVersion = PROTOCOL
    version.nServices = 1
    version.nTime = 1700000000
    version.addrTo.ip = '127.0.0.1'
    version.addrTo.port = 18444
    version.addrFrom.ip = '10.0.0.2'
    version.addrFrom.port = 8333
    version.nNonce = 0x1122334455667788
    version.strSubVer = b'/python-bitcoinlib:0.11.2/'
    version.nStartingHeight = 321
    out.append({'command': 'version', 'frame': frame(version),
                'fields': {'protocolVersion': PROTOCOL, 'nonce': str(0x1122334455667788), 'lastBlock': 321,
                           'userAgent': '/python-bitcoinlib:0.11.2/'}})
    out.append({'command': 'verack', 'frame': frame(msg_verack(PROTOCOL)), 'fields': {}})
    out.append({'command': 'getaddr', 'frame': frame(msg_getaddr(PROTOCOL)), 'fields': {}})
    out.append({'command': 'mempool', 'frame': frame(msg_mempool(PROTOCOL)), 'fields': {}})
    ping = msg_ping(PROTOCOL, nonce=0xdeadbeef)
    out.append({'command': 'ping', 'frame': frame(ping), 'fields': {'nonce': str(0xdeadbeef)}})
    pong = msg_pong(PROTOCOL, nonce=0xcafe)
    out.append({'command': 'pong', 'frame': frame(pong), 'fields': {'nonce': str(0xcafe)}})
    addr = msg_addr(PROTOCOL)
    entry = CAddress(PROTOCOL)
    entry.ip = '1.2.3.4'
    entry.port = 8333
    entry.nTime = 1600000000
    entry.nServices = 9
    addr.addrs.append(entry)
    out.append({'command': 'addr', 'frame': frame(addr), 'fields': {'count': 1, 'port': 8333}})
    for cls, command in ((msg_inv, 'inv'), (msg_getdata, 'getdata')):
        message = cls(PROTOCOL)
        inv = CInv()
        inv.type = 2
        inv.hash = lx('00000000000000000000000000000000000000000000000000000000000000ff')
        message.inv.append(inv)
        out.append({'command': command, 'frame': frame(message), 'fields': {'count': 1}})
    for cls, command in ((msg_getblocks, 'getblocks'), (msg_getheaders, 'getheaders')):
        message = cls(PROTOCOL)
        message.locator.vHave = [lx('11' * 32), lx('22' * 32)]
        message.hashstop = lx('33' * 32)
        out.append({'command': command, 'frame': frame(message), 'fields': {'count': 2}})
    tx = CTransaction([CTxIn(COutPoint(lx('aa' * 32), 1), CScript(b'\x01\x02'), 0xffffffff)],
                      [CTxOut(12345, CScript(b'\x51'))], 0, 1)
    out.append({'command': 'tx', 'frame': frame(with_attr(msg_tx(PROTOCOL), 'tx', tx)),
                'fields': {'txid': tx.GetTxid()[::-1].hex()}})
    genesis = bitcoin.params.GENESIS_BLOCK
    out.append({'command': 'block', 'frame': frame(with_attr(msg_block(PROTOCOL), 'block', genesis)),
                'fields': {'blockHash': genesis.GetHash()[::-1].hex(), 'count': len(genesis.vtx)}})
    print(json.dumps(out))


def reserialize():
    frames = json.load(sys.stdin)
    out = []
    for hex_frame in frames:
        message = MsgSerializable.stream_deserialize(io.BytesIO(bytes.fromhex(hex_frame)), protover=PROTOCOL)
        out.append(message.to_bytes().hex())
    print(json.dumps(out))


if __name__ == '__main__':
    {'produce': produce, 'reserialize': reserialize}[sys.argv[1]]()
