import assert from 'node:assert/strict';
import { UsageError } from '../../harness/errors.js';
import type { ExternalNode } from '../../harness/config/cluster-spec.js';
import { externalView } from '../../harness/runtimes/external/view.js';
import { raftKvDocker as raftKv } from '../../targets/raft-kv/docker.js';
import { cas, invoke, read, write } from '../support/client-ops.js';
import { startRaftNodes, type RaftNodes } from '../support/host-servers.js';

/**
 * The raft-kv target on `faultline node raft-kv` processes the user started (here: three on loopback), seen through
 * the external runtime's cluster view with no fault proxy, through the target's external ready check.
 */

const ready = raftKv.external!.ready!;

describe('external: raft-kv on three faultline node processes', function () {
  this.timeout(60_000);
  let raft: RaftNodes | undefined;
  before(async () => {
    raft = await startRaftNodes(3);
  });
  after(() => raft?.stop());

  /** The nodes as the test names them: by default, by their processes' ids. */
  const nodes = (name = (id: string) => id): ExternalNode[] => raft!.nodes.map((n) => ({ name: name(n.id), host: n.host, port: n.port }));

  it('is ready once a leader serves, and its clients write, read and compare-and-set', async () => {
    const v = externalView(raftKv, nodes(), { bug: undefined, options: {} });
    await ready(v, Date.now() + 30_000);
    const session = await raftKv.open(v);
    const clients = [session.client(0), session.client(1)];
    try {
      assert.deepEqual(await invoke(clients[0], write('x', 1)), { type: 'ok', value: 1 });
      assert.deepEqual(await invoke(clients[1], read('x')), { type: 'ok', value: 1 });
      assert.deepEqual(await invoke(clients[1], cas('x', 1, 2)), { type: 'ok', value: [1, 2] });
      assert.equal((await invoke(clients[0], cas('x', 1, 3))).type, 'fail');
      assert.deepEqual(await invoke(clients[0], read('x')), { type: 'ok', value: 2 });
      const leaders = await session.primaries!();
      assert.equal(leaders.length, 1);
      assert.ok(['n1', 'n2', 'n3'].includes(leaders[0]));
    } finally {
      for (const c of clients) c.close();
      await session.close();
    }
  });

  it('nodes not named by their --id: ready says which node accepts connections and never answers', async () => {
    const v = externalView(raftKv, nodes((id) => id.replace('n', 'node')), { bug: undefined, options: {} });
    await assert.rejects(ready(v, Date.now() + 1500), (e: Error) => {
      assert.match(e.message, /^node node1 accepts connections on 127\.0\.0\.1:\d+ but never answers: is it the process started with --id node1\?$/);
      return true;
    });
  });

  it('the leader misnamed: a follower names it by its id, none of the nodes, and ready refuses that in one line', async () => {
    const named = externalView(raftKv, nodes(), { bug: undefined, options: {} });
    await ready(named, Date.now() + 30_000);
    const session = await raftKv.open(named);
    const [leader] = await session.primaries!();
    await session.close();
    // The leader last, and called 'boss': the first node asked is a follower, which names the leader by its --id.
    const others = nodes().filter((n) => n.name !== leader);
    const boss = { ...nodes().find((n) => n.name === leader)!, name: 'boss' };
    const v = externalView(raftKv, [...others, boss], { bug: undefined, options: {} });
    await assert.rejects(ready(v, Date.now() + 30_000), (e: Error) => {
      assert.ok(e instanceof UsageError, String(e));
      const names = [...others.map((n) => n.name), 'boss'].join(', ');
      assert.equal(e.message, `raft-kv: node ${others[0].name} names its leader '${leader}', which is none of the nodes (${names}): name each node by its process's --id`);
      return true;
    });
  });

  it('a --bug is refused: on a cluster the user runs, the bug is the nodes\' own', async () => {
    const v = externalView(raftKv, nodes(), { bug: 'stale-read', options: {} });
    await assert.rejects(ready(v, Date.now() + 30_000), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /faultline node raft-kv --bug stale-read/);
      return true;
    });
  });
});
