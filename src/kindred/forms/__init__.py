"""Form submissions from outside (Tally): a contact created or updated, a timeline entry and a
`form.submitted` event (the FORM_SUBMITTED workflow trigger)."""
