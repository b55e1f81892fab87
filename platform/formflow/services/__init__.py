"""Use cases. Each public function takes the database session and the acting user first,
flushes but never commits (the caller's unit of work does), and raises FormflowError
subclasses for anything a user could have caused."""
