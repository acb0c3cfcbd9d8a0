-- The rows every card change inserts (its card event, one delivery per subscription, one attempt per try) get ids
-- that start with the time they are made (UUID version 7, RFC 9562: 48 bits of Unix milliseconds, then 74 random
-- bits). A random id puts each new entry of the primary key (and of webhook_attempts_delivery, keyed by the
-- delivery's id) on a random page of an index that outgrows memory, and after each checkpoint the first change of
-- every page writes it whole to the WAL: in the webhooks benchmark the B-tree pages were two thirds of those full
-- page images. Time-ordered ids go to the right-hand end, a few pages. Card events get theirs in the server
-- (src/db/ids.ts); deliveries and attempts, made in SQL, from this function. Existing ids stay as they are.
CREATE FUNCTION qcards_time_ordered_id() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  -- gen_random_uuid()'s first 48 bits replaced by the time in milliseconds, and its version (0100) made 0111:
  -- bits 52 and 53 of the bytes, counted from the lowest bit of each byte, are the version's two low bits.
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    52, 1), 53, 1), 'hex')::uuid
$$;
