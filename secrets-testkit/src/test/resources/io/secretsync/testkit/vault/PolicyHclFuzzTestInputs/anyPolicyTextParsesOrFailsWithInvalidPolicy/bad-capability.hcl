path "x" { capabilities = ["reed"] }
