// The GPU family read from the name the driver reports, used only when the PCI id is unknown or masked
// (DESIGN §5). Whole-name patterns, never substrings: an L40 is no L40S, an H20 no H200, an A10 no A10G.

// vGPU profiles append "-<framebuffer><type>" to the card's name: "NVIDIA A40-48Q", "NVIDIA L40S-24C".
const VGPU_SUFFIX = String.raw`(?:-\d+[ABCQ])?`;

type Rule = readonly [pattern: RegExp, family: string | ((m: RegExpExecArray) => string)];

const exact = (body: string): RegExp => new RegExp(`^(?:${body})${VGPU_SUFFIX}$`, 'i');

// First match wins, so the more specific name comes first (H100 NVL before H100).
const RULES: readonly Rule[] = [
  [exact('H100 NVL'), 'H100_NVL'],
  [exact(String.raw`H100(?:[ -].*)?`), 'H100'],
  [exact('H200 NVL'), 'H200_NVL'],
  [exact(String.raw`H200(?: .*)?`), 'H200'],
  [exact(String.raw`H800(?:[ -].*)?`), 'H800'],
  [exact(String.raw`H20(?: .*)?`), 'H20'],
  [exact(String.raw`GH200(?: .*)?`), 'GH200'],
  [exact(String.raw`GB200(?: .*)?`), 'GB200'],
  [exact(String.raw`GB300(?: .*)?`), 'GB300'],
  [exact(String.raw`B100(?: .*)?`), 'B100'],
  [exact(String.raw`B200(?: .*)?`), 'B200'],
  [exact(String.raw`B300(?: .*)?`), 'B300'],
  [exact(String.raw`A100(?:[ -].*)?`), 'A100'],
  [exact(String.raw`A800(?:[ -].*)?`), 'A800'],
  [exact('(A10G|A10|A16|A2|A30|A40)'), (m) => m[1]!.toUpperCase()],
  [exact('(L2|L4|L20|L40|L40S)'), (m) => m[1]!.toUpperCase()],
  [exact('(?:Tesla )?T4'), 'T4'],
  [exact(String.raw`(?:Tesla )?V100S?(?:-.*)?`), 'V100'],
  [exact(String.raw`(?:Tesla )?P100(?:-.*)?`), 'P100'],
  [exact('(?:Tesla )?(P40|P4)'), (m) => m[1]!.toUpperCase()],
  [exact(String.raw`RTX PRO 6000 Blackwell Server Edition`), 'RTX6000_BLACKWELL_SV'],
  [exact(String.raw`RTX PRO 6000 Blackwell Workstation Edition`), 'RTX6000_BLACKWELL_WS'],
  [exact(String.raw`RTX PRO 6000 Blackwell Max-Q Workstation Edition`), 'RTX6000_BLACKWELL_MAXQ'],
  // "RTX 6000 Ada Generation" → RTX6000_ADA, "RTX 4000 SFF Ada Generation" → RTX4000_SFF_ADA
  [exact(String.raw`RTX (\d{4})( SFF)? Ada Generation`), (m) => `RTX${m[1]}${m[2] ? '_SFF' : ''}_ADA`],
  // Workstation Ampere and Turing: "RTX A6000" → RTXA6000, "Quadro RTX 6000" → RTX6000
  [exact(String.raw`RTX (A\d{4})`), (m) => `RTX${m[1]!.toUpperCase()}`],
  [exact(String.raw`Quadro RTX (\d{4})`), (m) => `RTX${m[1]}`],
  [exact(String.raw`Quadro ([A-Z]+\d+)`), (m) => m[1]!.toUpperCase()],
  // GeForce: "GeForce RTX 4090" → RTX4090, "GeForce RTX 2080 SUPER" → RTX2080_SUPER, "GTX 1660 Ti" → GTX1660_TI
  [exact(String.raw`(?:GeForce )?(RTX|GTX) (\d{4})((?: (?:Ti|SUPER|D))*)`),
    (m) => `${m[1]!.toUpperCase()}${m[2]}${m[3]!.toUpperCase().replace(/ /g, '_')}`],
  [exact(String.raw`(?:NVIDIA )?TITAN (V|RTX)`), (m) => `TITAN_${m[1]!.toUpperCase()}`],
];

/** The family NIM's `gpu` tag would name for a GPU called `name` ("NVIDIA H100 80GB HBM3" → H100); null if unknown. */
export function familyFromName(name: string): string | null {
  const bare = name.trim().replace(/\s+/g, ' ').replace(/^NVIDIA /i, '');
  for (const [pattern, family] of RULES) {
    const m = pattern.exec(bare);
    if (m) return typeof family === 'string' ? family : family(m);
  }
  return null;
}
