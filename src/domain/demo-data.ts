import type { CardLevel, CardStatus, Role, ShippingAddress } from '../db/schema.ts';

// The demo organization's fixed content: people, accounts, nicknames and addresses, plus a seeded random
// generator, so `qcards seed` produces the same data on every run (only ids and the "now" they are relative to
// differ). Pure.

/** mulberry32: tiny, fast and good enough for demo data; the same seed gives the same sequence. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks a key with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let r = this.next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [key, w] of entries) {
      if ((r -= w) < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }

  /** `count` distinct items, in the order of `items`. */
  subset<T>(items: readonly T[], count: number): T[] {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(count, items.length)) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i]!);
  }
}

export const DEMO_SEED = 20_240_501;

export const DEMO_ORGANIZATION = {
  name: 'Atelier Lumière',
  legal_name: 'Atelier Lumière SAS',
  legal_number: '852147963',
  legal_form: 'SAS',
  legal_sector: '7311Z',
  legal_country: 'FR',
  legal_share_capital: 25_000,
  legal_registration_date: '2019-06-14',
  legal_address: '12 rue de la Roquette 75011 Paris FRANCE',
  locale: 'fr',
};

export const DEMO_TEAMS = ['Sales', 'Operations'] as const;

export interface DemoPerson {
  key: string;
  first_name: string;
  last_name: string;
  role: Role;
  team: (typeof DEMO_TEAMS)[number] | null;
  position: string;
  nationality: string;
  birthdate: string;
  locale: string;
  /** Relative share of the cards this person holds. */
  cards: number;
}

// Every role; the manager leads Sales; employees inside and outside Sales. `lucas` is the demo employee whose
// access token `qcards seed` prints.
export const DEMO_PEOPLE: DemoPerson[] = [
  { key: 'owner', first_name: 'Camille', last_name: 'Laurent', role: 'owner', team: null, position: 'CEO', nationality: 'FR', birthdate: '1984-03-09', locale: 'fr', cards: 6 },
  { key: 'admin', first_name: 'Thomas', last_name: 'Bernard', role: 'admin', team: null, position: 'CFO', nationality: 'FR', birthdate: '1979-11-23', locale: 'fr', cards: 6 },
  { key: 'admin2', first_name: 'Ingrid', last_name: 'Johansson', role: 'admin', team: null, position: 'Head of Finance Operations', nationality: 'SE', birthdate: '1988-07-02', locale: 'en', cards: 4 },
  { key: 'manager', first_name: 'Sophie', last_name: 'Moreau', role: 'manager', team: 'Sales', position: 'Sales Director', nationality: 'FR', birthdate: '1986-01-17', locale: 'fr', cards: 8 },
  { key: 'lucas', first_name: 'Lucas', last_name: 'Petit', role: 'employee', team: 'Sales', position: 'Account Executive', nationality: 'FR', birthdate: '1995-05-30', locale: 'fr', cards: 10 },
  { key: 'chloe', first_name: 'Chloé', last_name: 'Dubois', role: 'employee', team: 'Sales', position: 'Business Developer', nationality: 'FR', birthdate: '1997-09-12', locale: 'fr', cards: 7 },
  { key: 'aicha', first_name: 'Aïcha', last_name: 'Diallo', role: 'employee', team: 'Sales', position: 'Key Account Manager', nationality: 'SN', birthdate: '1991-02-25', locale: 'fr', cards: 7 },
  { key: 'mateo', first_name: 'Mateo', last_name: 'García', role: 'employee', team: 'Operations', position: 'Office Manager', nationality: 'ES', birthdate: '1990-12-04', locale: 'es', cards: 8 },
  { key: 'priya', first_name: 'Priya', last_name: 'Natarajan', role: 'employee', team: 'Operations', position: 'Growth Marketer', nationality: 'IN', birthdate: '1993-08-19', locale: 'en', cards: 9 },
  { key: 'kenji', first_name: 'Kenji', last_name: 'Watanabe', role: 'employee', team: null, position: 'Software Engineer', nationality: 'JP', birthdate: '1992-04-08', locale: 'en', cards: 6 },
  { key: 'lea', first_name: "Léa", last_name: "D'Amico", role: 'employee', team: null, position: 'Designer', nationality: 'IT', birthdate: '1996-10-27', locale: 'it', cards: 5 },
  { key: 'olamide', first_name: 'Olamide', last_name: 'Adeyemi', role: 'employee', team: 'Operations', position: 'Logistics Coordinator', nationality: 'NG', birthdate: '1989-06-15', locale: 'en', cards: 6 },
  { key: 'jb', first_name: 'Jean-Baptiste', last_name: 'Roux', role: 'reporting', team: null, position: 'Expert-comptable', nationality: 'FR', birthdate: '1975-01-31', locale: 'fr', cards: 0 },
];

export const DEMO_ACCOUNTS = [
  { name: 'Compte principal', main: true, balance_cents: 18_453_217 },
  { name: 'Voyages & déplacements', main: false, balance_cents: 1_250_000 },
  { name: 'Marketing', main: false, balance_cents: 4_387_050 },
] as const;

export const NICKNAMES: Record<'physical' | 'virtual' | 'flash' | 'advertising', string[]> = {
  physical: ['💳 Carte principale', 'Déplacements ✈️', 'Repas clients 🍽️', 'Essence ⛽', 'Carte terrain', 'Carte de secours', 'Train & hôtels 🚄', 'Fournitures 📎', 'Parking 🅿️', 'Cafés ☕'],
  virtual: ['Abonnements SaaS ☁️', 'AWS ☁️', 'Notion', 'Figma 🎨', 'Slack', 'GitHub 🐙', 'Amazon Business 📦', 'Zoom', 'Matériel IT 💻', 'Recrutement', 'Domaines & DNS 🌐', 'Logiciels compta', 'OpenAI 🤖', 'Uber 🚕', 'Formation 📚'],
  flash: ['⚡ Salon VivaTech', '⚡ Conférence Berlin', 'Cadeau client 🎁', 'Team building 🎉', 'Séminaire Lisbonne 🇵🇹', 'Stagiaire été', 'Shooting photo 📸', 'Pop-up store'],
  advertising: ['Google Ads 📈', 'Meta Ads', 'LinkedIn Ads', 'TikTok Ads 🎵', 'Microsoft Ads', 'Campagne Noël 🎄', 'Black Friday 🛍️'],
};

export const CATEGORIES = [
  'transport', 'restaurant_and_bar', 'food_and_grocery', 'it_and_electronics', 'utility', 'tax', 'legal_and_accounting',
  'atm', 'office_supply', 'hardware_and_equipment', 'finance',
];

export const ADDRESSES: ShippingAddress[] = [
  { contact_name: null, first_line: '12 rue de la Roquette', second_line: null, third_line: null, zipcode: '75011', city: 'Paris', country: 'FR' },
  { contact_name: null, first_line: '48 cours Lafayette', second_line: 'Bâtiment B', third_line: null, zipcode: '69003', city: 'Lyon', country: 'FR' },
  { contact_name: null, first_line: '7 quai des Chartrons', second_line: null, third_line: null, zipcode: '33000', city: 'Bordeaux', country: 'FR' },
  { contact_name: null, first_line: '3 place du Capitole', second_line: 'Appartement 12', third_line: null, zipcode: '31000', city: 'Toulouse', country: 'FR' },
  { contact_name: null, first_line: 'Calle de Alcalá 120', second_line: null, third_line: null, zipcode: '28009', city: 'Madrid', country: 'ES' },
];

/** Which statuses each level can plausibly be in, with weights (live dominates, as in a real company). */
export const STATUS_WEIGHTS: Record<CardLevel, Partial<Record<CardStatus, number>>> = {
  standard: { live: 50, pending: 8, paused: 6, pin_blocked: 3, lost: 3, stolen: 2, expired: 6, shipped_lost: 2, onhold: 2, order_canceled: 2, abusive: 1 },
  plus: { live: 50, pending: 8, paused: 6, pin_blocked: 3, lost: 3, stolen: 2, expired: 5, shipped_lost: 1, onhold: 2, order_canceled: 2 },
  metal: { live: 60, pending: 10, paused: 5, lost: 2, expired: 3, order_canceled: 1 },
  virtual: { live: 65, paused: 10, discarded: 12, expired: 5, abusive: 1 },
  flash: { live: 45, paused: 5, discarded: 10, pre_expired: 25, expired: 5 },
  advertising: { live: 65, paused: 15, discarded: 10, expired: 5 },
};

export const LEVEL_WEIGHTS: Record<CardLevel, number> = { virtual: 35, standard: 20, flash: 17, plus: 12, advertising: 10, metal: 6 };
