-- The notices each procedure's tender was built from, by a hash of their content: importing a
-- file again changes nothing, even when two notices of a procedure share a publication date or
-- have none (they would otherwise be applied over each other again, in file order).
-- No key: rows are only added for notices not seen before, and read as a set per tender; an
-- index would cost more memory on a 100,000-release import than it saves.
CREATE TABLE tender_notices (
    tender_id    BIGINT NOT NULL,
    fingerprint  VARCHAR NOT NULL
);
