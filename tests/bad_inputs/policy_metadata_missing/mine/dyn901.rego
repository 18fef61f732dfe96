package dynaudit.rules.dyn901

outcomes := set()
