-- The queue's summary is read after every outcome (the checkout shows it), so it must
-- cost the same with 10 or 10,000 intents waiting. Its counts come from the
-- `intents_state_log` index alone; the one field that index lacks, whether the sale
-- went ahead before the service answered, gets a partial index of its own: such
-- intents are few, so this index stays small.
CREATE INDEX intents_accepted_offline ON intents(state) WHERE accepted_offline = 1;
