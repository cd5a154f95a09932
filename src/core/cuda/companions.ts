// torch / torchvision / torchaudio pins must describe one release and one build: torchvision
// 0.19.1 only works with torch 2.4.1, and `+cu118` next to `+cu121` installs two CUDA builds.
import { CUDA_TABLE } from './table';
import { compareVersions, cudaFromLocal, parsePin, releaseOf } from './version';

export interface TorchFamilyPins {
  torch?: string | null;
  torchvision?: string | null;
  torchaudio?: string | null;
}

export interface TorchFamilyVerdict {
  /** The torch release the pins describe (pinned, or inferred from torchvision/torchaudio); null = unknown. */
  torch: string | null;
  /** Set when `torch` was inferred: which pin it came from. */
  inferredFrom: string | null;
  /** The CUDA of the `+cuXYZ` labels when they agree; null when there are none. */
  cudaLabel: string | null;
  /** Contradictions: each says what is wrong and what to pin instead. */
  errors: string[];
  notes: string[];
}

/** torch release(s) a torchvision release pairs with. */
export function torchForTorchvision(torchvision: string): string[] {
  const v = releaseOf(parsePin(torchvision)?.version ?? torchvision);
  return CUDA_TABLE.torch.filter((r) => r.torchvision === v).map((r) => r.version);
}

/**
 * torch release(s) a torchaudio release pairs with. torchaudio stopped at 2.11: 2.11.x goes with
 * torch 2.11 and every later release, so it pins nothing down there.
 */
export function torchForTorchaudio(torchaudio: string): string[] {
  const v = releaseOf(parsePin(torchaudio)?.version ?? torchaudio);
  return CUDA_TABLE.torch.filter((r) => r.torchaudio === v).map((r) => r.version);
}

function label(pin: string | null | undefined): string | null {
  return pin ? (parsePin(pin)?.local ?? null) : null;
}

export function checkTorchFamily(pins: TorchFamilyPins): TorchFamilyVerdict {
  const out: TorchFamilyVerdict = { torch: null, inferredFrom: null, cudaLabel: null, errors: [], notes: [] };
  const torchPin = pins.torch ? parsePin(pins.torch) : null;
  const torch = torchPin ? releaseOf(torchPin.version) : null;
  out.torch = torch;

  const labels = (['torch', 'torchvision', 'torchaudio'] as const)
    .map((name) => ({ name, local: label(pins[name]) }))
    .filter((x): x is { name: 'torch' | 'torchvision' | 'torchaudio'; local: string } => x.local !== null);
  const distinct = [...new Set(labels.map((l) => l.local))];
  if (distinct.length > 1) {
    out.errors.push(
      `the torch packages name different builds (${labels.map((l) => `${l.name}+${l.local}`).join(', ')}): pip would mix CUDA builds in one environment; use the same +cuXYZ label (or none) for all of them`,
    );
  } else if (distinct[0]) {
    out.cudaLabel = cudaFromLocal(distinct[0]);
  }

  const candidates: { from: string; torch: string[] }[] = [];
  if (pins.torchvision) {
    const t = torchForTorchvision(pins.torchvision);
    if (t.length) candidates.push({ from: `torchvision==${pins.torchvision}`, torch: t });
    else out.notes.push(`torchvision ${pins.torchvision} is not in ModelDock's torch table: its torch pairing is not checked.`);
  }
  if (pins.torchaudio) {
    const t = torchForTorchaudio(pins.torchaudio);
    // torchaudio 2.11.x pairs with every torch >= 2.11: only a mismatch below that is decidable.
    if (t.length && !(t.length > 1 && compareVersions(t[0] ?? '0', '2.11.0') >= 0)) candidates.push({ from: `torchaudio==${pins.torchaudio}`, torch: t });
    else if (t.length && torch && compareVersions(torch, '2.11.0') < 0) {
      out.errors.push(`torchaudio ${pins.torchaudio} goes with torch 2.11 or later, but torch is pinned to ${torch}; pin torchaudio==${CUDA_TABLE.torch.find((r) => r.version === torch)?.torchaudio ?? '(the matching release)'}`);
    } else if (!t.length) out.notes.push(`torchaudio ${pins.torchaudio} is not in ModelDock's torch table: its torch pairing is not checked.`);
  }

  for (const c of candidates) {
    if (torch && !c.torch.includes(torch)) {
      const row = CUDA_TABLE.torch.find((r) => r.version === torch);
      const want = c.from.startsWith('torchvision') ? row?.torchvision : row?.torchaudio;
      out.errors.push(`${c.from} is built for torch ${c.torch.join(' / ')}, but torch is pinned to ${torch}${want ? `; pin ${c.from.split('==')[0]}==${want}` : ''}`);
    }
  }
  if (!torch && candidates.length) {
    // Intersect what the companions imply; a single release is an inference, several are not.
    let pool = candidates[0]?.torch ?? [];
    for (const c of candidates.slice(1)) pool = pool.filter((t) => c.torch.includes(t));
    if (pool.length === 0) {
      out.errors.push(`${candidates.map((c) => `${c.from} (torch ${c.torch.join(' / ')})`).join(' and ')} do not describe the same torch release`);
    } else {
      const pick = pool[pool.length - 1] ?? null;
      out.torch = pick;
      out.inferredFrom = candidates.map((c) => c.from).join(', ');
      out.notes.push(`torch is not pinned; ${out.inferredFrom} means torch ${pick}, so the GPU image is chosen for torch ${pick} (pin torch==${pick} to make it explicit).`);
    }
  }
  return out;
}
