/** A banner with an icon AND a title in words, so its meaning never rests on colour alone. */
import type { ComponentChildren } from 'preact';

const ICONS = { info: 'ℹ', success: '✓', warning: '!', error: '✕' } as const;

export function Notice({
  tone,
  title,
  children,
  live = true,
}: {
  tone: keyof typeof ICONS;
  title: string;
  children?: ComponentChildren;
  live?: boolean;
}) {
  const role = !live ? undefined : tone === 'error' || tone === 'warning' ? 'alert' : 'status';
  return (
    <div class={`notice notice-${tone}`} role={role}>
      <span class="notice-icon" aria-hidden="true">
        {ICONS[tone]}
      </span>
      <div>
        <p class="notice-title">{title}</p>
        {children && <p>{children}</p>}
      </div>
    </div>
  );
}
