print("ailb-eval")
