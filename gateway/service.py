class GatewayService: name = "gateway"
