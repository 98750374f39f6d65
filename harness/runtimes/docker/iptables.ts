/**
 * The network faults of one node as iptables rules inside its network namespace. Everything faultline adds lives in
 * two chains of its own, hooked into INPUT and OUTPUT, so healing is a flush of those chains and never touches the
 * rules Docker itself keeps in the namespace (its embedded DNS, in the nat table).
 */
export interface NetFaults {
  /** Addresses whose packets this node drops (its grudge: a partition). */
  dropFrom: readonly string[];
  /** Probability of dropping each packet in and out (packet loss), or 0. */
  loss: number;
}

export const NO_NET_FAULTS: NetFaults = { dropFrom: [], loss: 0 };

const IN = 'FAULTLINE-IN';
const OUT = 'FAULTLINE-OUT';
/** The two chains, for a runtime that adds rules of its own to them (the SSH method spares its connection). */
export const FAULT_CHAINS = { in: IN, out: OUT } as const;

/**
 * A shell script that makes the node's rules exactly `f`, whatever they were: idempotent, so a node restarted
 * (whose namespace is new and empty) or resumed gets the same script as one that was up all along.
 */
export function netFaultScript(f: NetFaults): string {
  const lines = [
    'set -e',
    ...[
      [IN, 'INPUT'],
      [OUT, 'OUTPUT'],
    ].map(([chain, hook]) => `iptables -w -N ${chain} 2>/dev/null || true; iptables -w -C ${hook} -j ${chain} 2>/dev/null || iptables -w -I ${hook} -j ${chain}`),
    `iptables -w -F ${IN}`,
    `iptables -w -F ${OUT}`,
    ...f.dropFrom.map((ip) => `iptables -w -A ${IN} -s ${ip} -j DROP`),
  ];
  if (f.loss > 0) {
    const p = f.loss.toFixed(4);
    lines.push(`iptables -w -A ${IN} -m statistic --mode random --probability ${p} -j DROP`);
    lines.push(`iptables -w -A ${OUT} -m statistic --mode random --probability ${p} -j DROP`);
  }
  return lines.join('\n');
}

export function isClean(f: NetFaults): boolean {
  return f.dropFrom.length === 0 && f.loss === 0;
}
