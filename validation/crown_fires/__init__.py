"""Alexander & Cruz (2006) crown fires: the Cruz et al. (2005) crown fire spread model against observed rates."""
