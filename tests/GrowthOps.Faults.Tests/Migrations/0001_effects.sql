-- What the effects counter saw, one row per message its consumers ran for. The inbox makes a redelivered message a no-op,
-- so more than one row for one request means an effect happened twice.
create table $schema$.effect (
  id          bigint      generated always as identity primary key,
  message_id  uuid        not null,
  kind        text        not null,
  contact_id  uuid        not null,
  marker      text,
  -- What the effect is about: the contact of an update, the history entry of a transition, the activity of an import.
  item_id     uuid        not null,
  recorded_at timestamptz not null default now()
);
create index ix_effect_marker on $schema$.effect (marker);
