-- An invitation's email shows `sending` from the moment a worker is about
-- to hand it to the provider until the provider's answer is recorded.
--
-- SQLite cannot alter a CHECK constraint. Widening one changes no stored
-- row, so the table's definition is edited in place, as SQLite's ALTER
-- TABLE documentation describes for constraint changes, instead of copying
-- the table (which, with foreign keys on, would cascade the old table's
-- deletion into users and delivery_events). Only the list of statuses is
-- rewritten, so other changes to the table's definition stay as they are.
-- RESET makes this connection read the edited definition at once.

-- +goose Up
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''queued'', ''sent'', ''delivered''', '''queued'', ''sending'', ''sent'', ''delivered''')
    WHERE type = 'table' AND name = 'invites';
PRAGMA writable_schema = RESET;

-- +goose Down
UPDATE invites SET delivery_status = 'queued' WHERE delivery_status = 'sending';
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''queued'', ''sending'', ''sent'', ''delivered''', '''queued'', ''sent'', ''delivered''')
    WHERE type = 'table' AND name = 'invites';
PRAGMA writable_schema = RESET;
