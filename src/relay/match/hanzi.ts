/**
 * Traditional → simplified Chinese for the characters common in song titles and artist names, so that
 * 後來 and 后来, 周杰倫 and 周杰伦 compare equal. A small table, not a converter: a character missing here
 * stays as it is, which can only make two spellings of one title look different (a missed match), never
 * make two different titles look equal. Characters whose simplified form is itself a common traditional
 * character with another meaning (乾, 著 in 著名…) are left out or mapped only where the merge is harmless
 * for matching (後/后, 裡/里, 髮/發 → 发).
 */
const PAIRS =
  '後后來来愛爱傳传說说會会時时們们個个麼么聽听夢梦戀恋淚泪風风雲云開开關关東东車车問问間间門门見见親亲覺觉' +
  '對对樂乐無无與与為为爲为裡里裏里這这還还邊边過过遠远進进讓让誰谁請请認认識识記记許许該该語语話话詩诗錯错' +
  '鐘钟長长陽阳陰阴隊队難难離离雙双雞鸡電电靈灵頭头顏颜願愿飛飞馬马驚惊體体鳥鸟麗丽黃黄點点齊齐龍龙倫伦傑杰' +
  '劉刘張张陳陈楊杨鄧邓蕭萧鍾钟葉叶謝谢韓韩蘇苏羅罗鄭郑衛卫齡龄華华國国圓圆園园場场塵尘壞坏聲声處处備备' +
  '復复夠够奮奋婦妇嬌娇孫孙學学寶宝實实寫写寬宽將将專专尋寻導导層层歲岁島岛帶带師师幫帮幹干幾几廣广廳厅' +
  '強强彈弹歸归從从徑径憂忧懷怀戰战戲戏據据掃扫揚扬換换擁拥擇择擊击擔担數数斷断於于晝昼曉晓暫暂曆历書书' +
  '條条棄弃業业極极樓楼標标樹树橋桥機机檢检權权歡欢歷历殘残殺杀氣气漢汉湯汤滅灭滿满漸渐潔洁澤泽濃浓濕湿' +
  '灣湾災灾烏乌煙烟熱热燈灯燒烧獨独獲获現现瑪玛環环產产畫画當当癡痴發发盡尽監监盤盘眾众睏困確确禮礼禪禅' +
  '種种稱称穩稳窮穷竇窦筆笔節节範范築筑簡简糧粮紀纪約约紅红紙纸級级細细終终組组結结絕绝給给統统絲丝經经' +
  '綠绿維维綿绵緊紧線线練练緣缘縣县總总織织繞绕繼继續续罷罢義义習习聖圣聞闻聯联聰聪職职肅肃腦脑腳脚臉脸' +
  '興兴舊旧艷艳豔艳藍蓝藝艺藥药蘭兰號号蟲虫術术衝冲補补裝装製制複复覽览觀观計计訊讯訴诉詞词試试誠诚誤误' +
  '課课調调談谈論论謊谎證证譜谱護护讀读變变豐丰貓猫貝贝負负財财貨货責责貴贵買买費费賣卖質质購购贏赢趕赶' +
  '趙赵跡迹蹤踪軌轨軟软輕轻載载輪轮輸输轉转辦办農农迴回運运遊游達达違违遲迟選选遺遗郵邮鄉乡醫医釋释針针' +
  '鈴铃銀银鋼钢錄录錢钱鏡镜鐵铁閃闪閉闭閒闲闊阔隨随險险隱隐雜杂雖虽霧雾靜静響响頁页順顺須须頌颂預预領领' +
  '題题類类顧顾顯显颱台臺台飄飘餘余館馆騎骑驗验髮发鬆松魚鱼鮮鲜鳳凤鳴鸣鴻鸿麥麦黨党齒齿燦灿爛烂紛纷飛飞' +
  '讚赞歎叹嘆叹憶忆慣惯慮虑憐怜戀恋戶户揮挥搖摇攜携擺摆暈晕歐欧氣气淺浅溫温滾滚漁渔濤涛猶犹' +
  '獅狮瑩莹璽玺甦苏瘋疯療疗癮瘾盜盗睜睁瞭了矯矫碼码礙碍禍祸穀谷窩窝竊窃粵粤緒绪緩缓編编縱纵繩绳羨羡翹翘' +
  '聳耸膽胆臨临莊庄萬万葉叶蔣蒋蓋盖蕩荡薩萨蘋苹蝦虾蠻蛮襲袭詠咏誕诞誇夸諾诺謎谜譯译貞贞賀贺賓宾' +
  '賴赖贊赞躍跃軍军較较輩辈轟轰辭辞遙遥還还醜丑釣钓鈞钧銘铭鋒锋錦锦鍵键鎖锁鎮镇閣阁闖闯陣阵陸陆隻只' +
  '雞鸡韻韵頂顶項项頓顿頻频額额顫颤飲饮飽饱餅饼駕驾騙骗驅驱驕骄鬥斗鬧闹鯨鲸鵝鹅鶴鹤鷹鹰' +
  '麼么鋪铺瀟潇灑洒淒凄悽凄傷伤僅仅價价億亿優优儘尽兒儿內内兩两冊册凍冻劃划劍剑勁劲動动勝胜' +
  '勢势勵励區区協协卻却參参叢丛啟启喚唤單单嚴严囉啰圍围堅坚報报塊块壓压壯壮夥伙奪夺奧奥孃娘寧宁審审' +
  '對对尷尴屬属岡冈嶺岭巖岩廢废彎弯徹彻恆恒悅悦惡恶愛爱態态慚惭慶庆憑凭懶懒憤愤戲戏';

const TO_SIMPLIFIED: ReadonlyMap<string, string> = (() => {
  const table = new Map<string, string>();
  const chars = [...PAIRS];
  for (let i = 0; i + 1 < chars.length; i += 2) {
    const [traditional, simplified] = [chars[i]!, chars[i + 1]!];
    if (traditional !== simplified) table.set(traditional, simplified);
  }
  return table;
})();

/** `text` with the table's traditional characters replaced by their simplified forms. */
export function toSimplified(text: string): string {
  let out = '';
  for (const char of text) out += TO_SIMPLIFIED.get(char) ?? char;
  return out;
}

/** How many traditional characters the table knows (for the documentation of its limits). */
export const SIMPLIFIED_TABLE_SIZE = TO_SIMPLIFIED.size;
