"""Status pushes: what the marketplaces tell us on their own, between our reads of the shops.

- `pushes.messages`: what a push says (a listing's status changed; a shop's authorisation ends or ended);
- `pushes.shopee`, `pushes.lazada`, `pushes.tiktok`: each platform's push signature, its answer,
  and its payloads read into messages (the same three names in each);
- `pushes.receive`: a push received: verified against the apps' secrets, its shop found, its news
  noted in the ledger or the token store, and a Prefect event emitted where someone must act;
- `pushes.catch_up`: a sweep of the shops' items that notes what a lost push would have said;
- `pushes.events`: the Prefect events an automation turns into a targeted publish or an alert.
"""
