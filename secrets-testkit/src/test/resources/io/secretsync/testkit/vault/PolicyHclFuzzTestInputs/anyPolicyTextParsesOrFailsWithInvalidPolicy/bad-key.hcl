paths "x" { capabilities = ["read"] }
name = "p"
