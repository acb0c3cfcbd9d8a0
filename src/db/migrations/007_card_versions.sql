-- A version per card, incremented by every write of the row (src/db/queries/cards.ts). A change to a card is
-- read, decided, then written only if the row is still at the version that was read (optimistic concurrency,
-- src/services/card-writes.ts). The row's xmin served first, but a frozen tuple reports xmin 2 whatever
-- transaction wrote it, so after a VACUUM FREEZE two versions of a card could look alike. A constant default
-- makes this a catalogue change: no table rewrite at a million cards.
ALTER TABLE cards ADD COLUMN version integer NOT NULL DEFAULT 0;
