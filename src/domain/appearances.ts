import type { CardLevel } from '../db/schema.ts';

// The card designs qcards offers, per level: what `GET /v2/cards/appearances` lists, what `card_design`
// accepts on creation, and what each card's `appearance` object is derived from.

export interface Appearance {
  design: string;
  theme: 'dark' | 'light';
  gradient_hex_color: string;
  is_active: boolean;
}

// Image URLs point at a reserved, never-resolving domain: qcards ships no card artwork, and a real-looking
// CDN address would invite clients to depend on it.
export const ASSETS_BASE_URL = 'https://assets.qcards.invalid/cards';

export const APPEARANCES: Record<CardLevel, Appearance[]> = {
  standard: [
    { design: 'standard.recycled.plastic.2023', theme: 'dark', gradient_hex_color: '#1d1d1b', is_active: true },
  ],
  plus: [
    { design: 'plus.recycled.plastic.black.2023', theme: 'dark', gradient_hex_color: '#000000', is_active: true },
    { design: 'plus.recycled.plastic.silver.2023', theme: 'light', gradient_hex_color: '#c0c0c0', is_active: true },
    { design: 'plus.black.2023', theme: 'dark', gradient_hex_color: '#111111', is_active: false },
  ],
  metal: [
    { design: 'metal.graphite.black.2019', theme: 'dark', gradient_hex_color: '#2b2b2b', is_active: true },
    { design: 'metal.mineral.gray.2024', theme: 'light', gradient_hex_color: '#8a8d8f', is_active: true },
    { design: 'metal.sand.gold.2024', theme: 'light', gradient_hex_color: '#c2a878', is_active: true },
  ],
  virtual: [{ design: 'virtual.default.2017', theme: 'dark', gradient_hex_color: '#3c3c3b', is_active: true }],
  flash: [{ design: 'flash.default.2021', theme: 'light', gradient_hex_color: '#f4e9d8', is_active: true }],
  advertising: [
    { design: 'advertising.default.2023', theme: 'dark', gradient_hex_color: '#26262b', is_active: true },
  ],
};

const BY_DESIGN = new Map(Object.values(APPEARANCES).flat().map((a) => [a.design, a]));

export function assetsOf(design: string): { front_large: string; front_small: string; front_small_wallet: string } {
  const base = `${ASSETS_BASE_URL}/${design}`;
  return {
    front_large: `${base}/front_large.png`,
    front_small: `${base}/front_small.png`,
    front_small_wallet: `${base}/front_small_wallet.png`,
  };
}

/** The `appearance` object of a card with this design. */
export function appearanceOf(design: string): Record<string, unknown> {
  const known = BY_DESIGN.get(design);
  return {
    assets: assetsOf(design),
    theme: known?.theme ?? 'dark',
    ...(known ? { gradient_hex_color: known.gradient_hex_color } : {}),
  };
}

export const defaultDesign = (level: CardLevel): string => APPEARANCES[level].find((a) => a.is_active)!.design;

export const isDesignOfLevel = (level: CardLevel, design: string): boolean =>
  APPEARANCES[level].some((a) => a.design === design && a.is_active);
