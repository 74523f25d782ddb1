import type { LiveVariant } from './deployments-api';

/** Segment colours, told apart in both themes; the split is also written out beside the bar. */
export const VARIANT_COLORS = ['#2f6fdf', '#d9480f', '#2b8a3e', '#ae3ec9', '#1098ad'];

export function variantLabel(v: LiveVariant): string {
  return `${v.name} (${v.model} v${v.version})`;
}

/** How traffic is split between the live variants: a bar, and the same in words. */
export function TrafficBar({ variants }: { variants: LiveVariant[] }) {
  const served = variants.filter((v) => v.role !== 'shadow');
  const words = served.map((v) => `${v.name} v${v.version} ${v.weight}%`).join(', ');
  return (
    <div className="traffic">
      <div className="traffic-bar" role="img" aria-label={`Traffic split: ${words || 'no traffic'}`}>
        {served.map((v, i) => (
          <span key={v.name} style={{ width: `${v.weight}%`, background: VARIANT_COLORS[i % VARIANT_COLORS.length] }} />
        ))}
      </div>
      <span className="traffic-words">{words || '—'}</span>
    </div>
  );
}
