package bench

// Names for generated people: a mix of origins, so that searches behave as
// they would on a real roster, not on "user12345".
var firstNames = []string{
	"Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances",
	"Edsger", "Radia", "Donald", "Shafi", "Tim", "Hedy", "John", "Mary", "Niklaus", "Sophie",
	"Aiko", "Hiroshi", "Yuki", "Kenji", "Mei", "Wei", "Li", "Jun", "Min-jun", "Seo-yeon",
	"Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Divya", "Arjun", "Kavya", "Ravi", "Sana",
	"Chidi", "Ngozi", "Kwame", "Amara", "Tunde", "Zainab", "Kofi", "Abena", "Femi", "Adaeze",
	"Mateo", "Lucia", "Santiago", "Valentina", "Diego", "Camila", "Javier", "Isabela", "Pablo", "Ximena",
	"Lars", "Ingrid", "Sven", "Astrid", "Mikko", "Aino", "Jonas", "Freya", "Nils", "Sigrid",
	"Olga", "Dmitri", "Anya", "Ivan", "Katya", "Pavel", "Irina", "Sergei", "Nadia", "Yuri",
	"Fatima", "Omar", "Layla", "Yusuf", "Leila", "Karim", "Noor", "Hassan", "Amira", "Tariq",
	"Liam", "Emma", "Noah", "Olivia", "Lucas", "Chloe", "Ethan", "Zoe", "Owen", "Maya",
}

var lastNames = []string{
	"Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
	"Dijkstra", "Perlman", "Knuth", "Goldwasser", "Berners-Lee", "Lamarr", "McCarthy", "Keller", "Wirth", "Wilson",
	"Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida",
	"Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
	"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim",
	"Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Menon", "Das",
	"Okafor", "Adeyemi", "Mensah", "Okonkwo", "Abubakar", "Boateng", "Eze", "Nwosu", "Owusu", "Balogun",
	"Garcia", "Martinez", "Rodriguez", "Lopez", "Hernandez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres",
	"Johansson", "Andersson", "Nilsson", "Larsen", "Hansen", "Virtanen", "Korhonen", "Nieminen", "Berg", "Lindqvist",
	"Ivanov", "Smirnov", "Kuznetsov", "Popov", "Petrov", "Volkov", "Sokolov", "Morozov", "Novikov", "Fedorov",
	"Haddad", "Khalil", "Nasser", "Rahman", "Hussain", "Aziz", "Saleh", "Farouk", "Mansour", "Karimi",
	"Smith", "Jones", "Brown", "Taylor", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Walker",
	"Murphy", "Kelly", "O'Brien", "Byrne", "Ryan", "Walsh", "Doyle", "Fitzgerald", "Gallagher", "Quinn",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
	"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
}

// syllables make up invented surnames, mostly unique ones.
var syllables = []string{
	"ka", "ro", "mi", "ven", "dor", "la", "shi", "tan", "bel", "qua", "zor", "fen", "li", "mar", "nos",
	"pel", "ru", "sa", "ti", "vo", "wen", "xi", "yor", "zu", "bra", "cle", "dru", "fro", "gla", "hul",
}

var domains = []string{
	"example.com", "example.org", "example.net", "mail.example", "learners.example", "corp.example",
	"gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me",
}

// typoDomains are mistyped domains with the correction R10 suggests.
var typoDomains = [][2]string{
	{"gmial.com", "gmail.com"}, {"gmal.com", "gmail.com"}, {"hotmial.com", "hotmail.com"}, {"outlok.com", "outlook.com"},
	{"yaho.com", "yahoo.com"},
}
